"""``python -m amc_cltv``: the same command line as the ``amc-cltv`` script."""

from amc_cltv.cli import console_main

if __name__ == "__main__":
    console_main()
