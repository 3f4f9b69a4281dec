"""govmon notifiers: one small class per channel behind one interface, selected by name."""
