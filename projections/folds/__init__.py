"""One module per read model: NAME, interest(policy), key(event, policy) and a pure fold()."""
