from click.testing import CliRunner

from exporter.cli import main


def test_help_lists_the_commands() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in ("build", "dump", "check"):
        assert command in result.output
