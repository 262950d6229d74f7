"""Resources: each knows its paths, its call kinds and its types, nothing about the network."""

from amc_cltv.client.resources.accounts import Accounts
from amc_cltv.client.resources.audiences import Audiences
from amc_cltv.client.resources.executions import Executions
from amc_cltv.client.resources.instances import Instances
from amc_cltv.client.resources.schedules import Schedules
from amc_cltv.client.resources.workflows import Workflows

__all__ = ["Accounts", "Audiences", "Executions", "Instances", "Schedules", "Workflows"]
