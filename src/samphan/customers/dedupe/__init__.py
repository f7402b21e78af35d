"""The duplicate finder's matching core: name keys and pair scores, pure functions."""
