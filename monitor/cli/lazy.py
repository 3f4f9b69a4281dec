"""Commands served from a table until one runs, for start-up time: `govmon --help` lists every command, with
its one-line help under its help panel, without importing the modules that hold them (and with them Scrapy,
SQLAlchemy, redis, Apprise, trafilatura …); running a command imports its own module alone. This is click's
"lazy loading of subcommands" pattern, on typer's classes.

A `LazyGroup`'s commands are stubs made from its `Entry`s: a name, a one-line help and a panel, all that
`--help`, "did you mean" and shell completion need to list them. click asks `resolve_command` for the
command it is about to run (or whose options it completes); there the stub gives way to the real command,
which typer builds from the function or `typer.Typer` the entry names exactly as `app.command(name)` or
`app.add_typer(sub, name=name)` would have. A command group's stub is itself a LazyGroup, so that
`govmon sources --help` imports nothing either: its commands come from the real group once one of them runs.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import import_module
from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperCommand, TyperGroup

if TYPE_CHECKING:  # typer's own click (typer vendors it; the click package itself is not imported)
    from typer._click import Command, Context

__all__ = ["Entry", "LazyGroup"]


@dataclass(frozen=True)
class Entry:
    """A command in a table: where it is (`target`, "module:attribute": a command function, or a `typer.Typer`
    for a command group, whose commands' one-line helps `commands` lists in order), its help panel and its
    one-line help, the first line of its docstring (or the group's help)."""

    target: str
    panel: str | None
    help: str
    commands: Mapping[str, str] = field(default_factory=dict)

    def load(self) -> Any:
        """The function or `typer.Typer` named by `target` (its module imported now)."""
        module, _, attribute = self.target.partition(":")
        return getattr(import_module(module), attribute)

    def build(self, name: str) -> Command:
        """The real command, built by typer (with its defaults, the app's) as registering it would have."""
        target, holder = self.load(), typer.Typer(add_completion=False)
        if isinstance(target, typer.Typer):
            holder.add_typer(target, name=name, rich_help_panel=self.panel)
        else:
            holder.command(name, rich_help_panel=self.panel)(target)
        return typer.main.get_group(holder).commands[name]

    def stub(self, name: str) -> Command:
        """What lists the command until it runs (a group's stub lists its commands the same way)."""
        if not self.commands:
            return TyperCommand(name, help=self.help, rich_help_panel=self.panel)
        commands = {command: Entry(self.target, None, summary) for command, summary in self.commands.items()}
        return LazyGroup(name=name, help=self.help, rich_help_panel=self.panel, no_args_is_help=True,
                         entries=commands, real_group=self)


class LazyGroup(TyperGroup):
    """A group whose commands are the stubs of `entries` (by default the class's `ENTRIES`), each replaced
    by its real command when it runs. `real_group` is set on the stub of a command group: the entry of the
    real group, which its commands are taken from."""

    ENTRIES: Mapping[str, Entry] = {}

    def __init__(self, *, entries: Mapping[str, Entry] | None = None, real_group: Entry | None = None,
                 **attrs: Any) -> None:
        super().__init__(**attrs)
        self.entries = self.ENTRIES if entries is None else entries
        self.real_group = real_group
        self.commands.update({name: entry.stub(name) for name, entry in self.entries.items()})

    def resolve_command(self, ctx: Context,
                        args: list[str]) -> tuple[str | None, Command | None, list[str]]:
        """The command to run: unknown names fail as in any group (with "did you mean"), known ones are real."""
        name, stub, rest = super().resolve_command(ctx, args)
        return name, (self.real(name) if name else stub), rest

    def real(self, name: str) -> Command:
        """The real command `name`: a group's stub stays (its own commands are real when they run)."""
        if self.real_group is not None and self.name:
            return self.real_group.build(self.name).commands[name]
        stub = self.commands[name]
        return stub if isinstance(stub, LazyGroup) else self.entries[name].build(name)
