"""The schema files (xAPI, policy, profile). setup.py installs this folder as the package
`lrs.schemas`, so that a wheel carries them: code finds them with
`importlib.resources.files("lrs.schemas")`, installed or in a checkout."""
