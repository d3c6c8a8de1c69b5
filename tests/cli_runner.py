"""Running the ``scalinglaws`` command in-process, shared by the CLI test modules."""

from __future__ import annotations

from typer.testing import CliRunner

from scalinglaws.cli.main import app

runner = CliRunner()


def run(*args, code=0):
    """Invoke the CLI; assert its exit code and that no traceback reached either stream."""
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == code, (args, result.output, result.stderr)
    # an uncaught exception would surface here; a clean exit is SystemExit or nothing
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output and "Traceback" not in result.stderr
    return result
