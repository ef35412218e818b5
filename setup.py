"""Packaging beyond setup.cfg: the top-level `schemas/` folder ships inside the package as
`lrs.schemas`, so an installed wheel finds the files a checkout reads."""
from setuptools import find_packages, setup

setup(packages=find_packages(include=["lrs", "lrs.*", "projections", "projections.*"]) + ["lrs.schemas"],
      package_dir={"lrs.schemas": "schemas"})
