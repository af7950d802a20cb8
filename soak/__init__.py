"""Soak and hardening drivers for Sluice (stdlib only): see soak/README.md and `python3 -m soak --help`."""
