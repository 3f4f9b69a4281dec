"""The network-guard tests import their loopback instruments from `security.netkit`."""
