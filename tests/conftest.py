def pytest_addoption(parser):
    parser.addoption('--flags', default='', help='space-separated notebook test flags to run too (e.g. "slow cuda")')
