"""Resources: each knows its paths, its call kinds and its types, nothing about the network.

Every resource describes each of its calls once, as a ``Call`` built by its ``*Calls`` class
(``AccountCalls``, ``InstanceCalls``, ``DataSourceCalls``, ``WorkflowCalls``, ``ExecutionCalls``,
``ScheduleCalls``, ``AudienceCalls``), and has two thin faces over it: the blocking resource for
``AmcClient`` and its ``Async*`` twin for ``AsyncAmcClient``, which send the same calls through
``BaseClient`` and ``AsyncBaseClient``. Adding an endpoint is adding a method to a ``*Calls`` class and one
line to each face.
"""

from amc_cltv.client.resources.accounts import Accounts, AsyncAccounts
from amc_cltv.client.resources.audiences import AsyncAudiences, Audiences
from amc_cltv.client.resources.data_sources import AsyncDataSources, DataSources
from amc_cltv.client.resources.executions import AsyncExecutions, Executions
from amc_cltv.client.resources.instances import AsyncInstances, Instances
from amc_cltv.client.resources.schedules import AsyncSchedules, Schedules
from amc_cltv.client.resources.workflows import AsyncWorkflows, Workflows

__all__ = [
    "Accounts",
    "AsyncAccounts",
    "AsyncAudiences",
    "AsyncDataSources",
    "AsyncExecutions",
    "AsyncInstances",
    "AsyncSchedules",
    "AsyncWorkflows",
    "Audiences",
    "DataSources",
    "Executions",
    "Instances",
    "Schedules",
    "Workflows",
]
