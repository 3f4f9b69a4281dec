"""Alerts: events recorded once with their outbox rows and rendered for people and programs (`events`),
who gets what and when (`subscriptions`), and sending the outbox (`dispatch`). Uses the analysis layer,
never the pipeline."""
