"""Resources: each knows its paths, its call kinds and its types, nothing about the network.

Executions, workflows and audiences describe each call once (``*Calls``) and have an async twin for
``AsyncAmcClient``; accounts, instances, data sources and schedules are set-up calls, sync only.
"""

from amc_cltv.client.resources.accounts import Accounts
from amc_cltv.client.resources.audiences import AsyncAudiences, Audiences
from amc_cltv.client.resources.data_sources import DataSources
from amc_cltv.client.resources.executions import AsyncExecutions, Executions
from amc_cltv.client.resources.instances import Instances
from amc_cltv.client.resources.schedules import Schedules
from amc_cltv.client.resources.workflows import AsyncWorkflows, Workflows

__all__ = [
    "Accounts",
    "AsyncAudiences",
    "AsyncExecutions",
    "AsyncWorkflows",
    "Audiences",
    "DataSources",
    "Executions",
    "Instances",
    "Schedules",
    "Workflows",
]
