"""Everything forge prints or asks, built on Rich; no logic and no Typer here.

Text that comes from the user or the file system is always wrapped in
:class:`rich.text.Text`, so square brackets in a path are never read as markup.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rich import box
from rich.console import Console, ConsoleDimensions
from rich.prompt import Prompt
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from fastapi_forge.naming import ProjectNames

__all__ = [
    "ask_choice",
    "ask_text",
    "build_file_tree",
    "print_error",
    "print_file_tree",
    "print_names",
    "print_next_steps",
    "print_note",
    "stderr",
    "stdout",
]


class _OutputConsole(Console):
    """A console that never wraps or cuts lines when its output is not a terminal.

    Rich assumes 80 columns for a pipe or a file, which cut long migration file names in
    the tables; what goes to a file or another program is kept whole.
    """

    @property
    def size(self) -> ConsoleDimensions:
        dimensions = super().size
        if self.is_terminal:
            return dimensions
        return ConsoleDimensions(UNWRAPPED_WIDTH, dimensions.height)

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        self._width, self._height = new_size


UNWRAPPED_WIDTH = 10_000
"""The width of a console whose output is not a terminal."""

# emoji=False: rich would show a field spec such as ``starts_on:date:index`` as
# ``starts_on📅index`` (``:date:`` is an emoji code).
stdout = _OutputConsole(highlight=False, emoji=False)
"""Console for results: names, the file tree, next steps."""
stderr = Console(stderr=True, highlight=False, emoji=False)
"""Console for ``error: ...`` lines."""

DEFAULT_TREE_DEPTH = 4
"""Folders nested deeper than this are shown collapsed, with their file count."""


def print_error(message: str) -> None:
    """Print ``error: <message>`` to stderr as exactly one line (never wrapped)."""
    line = Text("error: ", style="bold red")
    line.append(" ".join(message.split()))
    stderr.print(line, soft_wrap=True)


def print_note(message: str) -> None:
    """Print an informational ``note: <message>`` line to stdout."""
    line = Text("note: ", style="bold cyan")
    line.append(message)
    stdout.print(line, soft_wrap=True)


def print_names(names: ProjectNames, extra: Iterable[tuple[str, str]] = ()) -> None:
    """Print a small table of the names derived from the project name, plus ``extra`` rows."""
    table = Table(box=box.SIMPLE, show_header=False, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    rows = [
        ("Project", names.project_name),
        ("Package", names.package_name),
        ("Env prefix", names.env_prefix),
        ("Title", names.title),
        *extra,
    ]
    for label, value in rows:
        table.add_row(Text(label), Text(value))
    stdout.print(table)


@dataclass
class _Folder:
    """A folder of the file tree being built."""

    folders: dict[str, "_Folder"] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)

    def count(self) -> int:
        """Number of files in this folder and below."""
        return len(self.files) + sum(folder.count() for folder in self.folders.values())


def build_file_tree(
    files: Sequence[str], label: str, *, max_depth: int = DEFAULT_TREE_DEPTH
) -> Tree:
    """Build a Rich tree of relative POSIX ``files`` under a root called ``label``.

    Folders come before files; folders deeper than ``max_depth`` are shown as one
    ``name/ (N files)`` line so that large projects stay readable.
    """
    root = _Folder()
    for path in files:
        *parts, filename = path.split("/")
        folder = root
        for part in parts:
            folder = folder.folders.setdefault(part, _Folder())
        folder.files.append(filename)
    tree = Tree(Text(label, style="bold"), guide_style="dim")
    _add_children(tree, root, depth=1, max_depth=max_depth)
    return tree


def _add_children(node: Tree, folder: _Folder, *, depth: int, max_depth: int) -> None:
    """Add ``folder``'s subfolders and files under ``node``."""
    for name, sub in sorted(folder.folders.items()):
        if depth >= max_depth:
            count = sub.count()
            noun = "file" if count == 1 else "files"
            label = Text(f"{name}/", style="bold blue")
            label.append(f" ({count} {noun})", style="dim")
            node.add(label)
        else:
            child = node.add(Text(f"{name}/", style="bold blue"))
            _add_children(child, sub, depth=depth + 1, max_depth=max_depth)
    for name in sorted(folder.files):
        node.add(Text(name))


def print_file_tree(files: Sequence[str], label: str) -> None:
    """Print the file tree of ``files`` under a root called ``label``."""
    stdout.print(build_file_tree(files, label))


def print_next_steps(steps: Sequence[str]) -> None:
    """Print the commands to run next, one per line, ready to copy."""
    stdout.print(Text("Next steps:", style="bold"))
    for step in steps:
        stdout.print(Text(f"  {step}", style="green"), soft_wrap=True)


def ask_text(question: str, default: str) -> str:
    """Ask a free-text question on the terminal; an empty answer means ``default``."""
    return Prompt.ask(Text(question), default=default, console=stdout).strip() or default


def ask_choice(question: str, choices: Sequence[str], default: str) -> str:
    """Ask until the answer is one of ``choices``; an empty answer means ``default``."""
    return Prompt.ask(Text(question), choices=list(choices), default=default, console=stdout)
