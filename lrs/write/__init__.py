"""The write side: one module per kind of fact, each running all of its rules whoever calls it."""
