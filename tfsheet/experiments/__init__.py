"""The sheet's experiments: the registry (registry.py) lists them, configs.py holds their settings, and
each problem's module exposes run functions `run(config, workdir, runtime, export_root=None) -> results`."""
