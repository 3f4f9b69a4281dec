"""The offline demonstration (`offline`) and the local server that replays recorded sites (`replay`);
the recorded days live beside them in `sites/`, their story in STORY.md."""
