"""Stack files read as the Pulumi CLI reads them, through the path `make plan` takes.

The CLI parses Pulumi.yaml and Pulumi.<stack>.yaml with gopkg.in/yaml.v3 (pulumi/pulumi
sdk/go/common/encoding/marshal.go) and merges and checks config in pkg/workspace/config.go. Each
bad file below is written to a temporary project and planned with `infra.offline.plan`: one message
on stderr naming the file and line (or the key), exit 1, no traceback.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from infra.offline import plan
from infra.offline.runner import REPO_ROOT, read_stack
from infra.offline.stack_files import OFFLINE_SECRET_PLACEHOLDER, resolve_plain

DEV = (REPO_ROOT / "Pulumi.dev.yaml").read_text()


def replaced(old: str, new: str, text: str = DEV) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


@pytest.fixture
def plan_file(tmp_path, capsys):
    """Plan a stack file of our own in a copy of the project; returns (exit code, stderr)."""

    def planned(text: str, stack: str = "bad") -> tuple[int, str]:
        (tmp_path / "Pulumi.yaml").write_text((REPO_ROOT / "Pulumi.yaml").read_text())
        (tmp_path / f"Pulumi.{stack}.yaml").write_text(text)
        code = plan.main([stack, "--quiet", "--project-dir", str(tmp_path)])
        return code, capsys.readouterr().err.replace(f"{tmp_path}/", "")  # messages name the file by its path

    return planned


def one_message(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


# yaml.v3 resolve.go, decoding into interface{}: what each plain scalar becomes.
@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("on", "on"),
        ("off", "off"),
        ("yes", "yes"),
        ("no", "no"),
        ("y", "y"),
        ("True", True),
        ("FALSE", False),
        ("tRUE", "tRUE"),
        ("~", None),
        ("Null", None),
        ("0o17", 15),
        ("017", 15),  # yaml.v3 still reads 1.1 octals
        ("0x1F", 31),
        ("0b101", 5),
        ("1_000", 1000),
        ("08", 8.0),  # no octal, so yaml.v3's float pattern takes it
        ("3.5", 3.5),
        (".5", 0.5),
        ("1e3", 1000.0),
        ("+12", 12),
        ("12:30", "12:30"),  # no base-60 numbers in yaml.v3
        ("0.0.0.0", "0.0.0.0"),
        ("2026-01-31", "2026-01-31 00:00:00 +0000 UTC"),  # a time.Time, as Pulumi prints it
        ("203.0.113.0/24", "203.0.113.0/24"),
    ],
)
def test_plain_scalars_resolve_as_yaml_v3_resolves_them(text, value):
    resolved = resolve_plain(text)
    assert resolved == value and (
        type(resolved) is type(value) or (isinstance(resolved, str) and isinstance(value, str))
    )


@pytest.mark.parametrize("spelling", ["on", "yes", "off", "no", "y"])
def test_a_yaml_1_1_boolean_is_a_string_and_the_declared_boolean_type_refuses_it(plan_file, spelling):
    code, err = plan_file(replaced("feathr-infra:productionLike: false", f"feathr-infra:productionLike: {spelling}"))
    assert code == 1
    assert one_message(err).endswith(
        f"Pulumi.bad.yaml line 5: configuration key 'productionLike' = '{spelling}' must be of type 'boolean' "
        "(YAML 1.2: only true and false are booleans)"
    )


def test_a_key_written_twice_is_refused_naming_both_lines(plan_file):
    code, err = plan_file(
        replaced("  feathr-infra:owner:", "  feathr-infra:location: northeurope\n  feathr-infra:owner:")
    )
    assert code == 1
    assert one_message(err).endswith(
        "Pulumi.bad.yaml line 6: mapping key 'feathr-infra:location' already defined at line 3"
    )


def test_a_nested_key_written_twice_is_refused(plan_file):
    code, err = plan_file(replaced("    sku: Standard_LRS\n", "    sku: Standard_LRS\n    sku: Standard_ZRS\n"))
    assert code == 1
    assert one_message(err).endswith("Pulumi.bad.yaml line 10: mapping key 'sku' already defined at line 9")


def test_a_section_with_no_value_reaches_the_program_as_an_empty_string(plan_file):
    # loaders.go checkForEmptyConfig: a top-level null "is currently treated as an empty string".
    code, err = plan_file(
        replaced("  feathr-infra:keyVault:\n    softDeleteRetentionDays: 7\n", "  feathr-infra:keyVault:\n")
    )
    assert code == 1
    assert one_message(err) == "settings error: setting feathr-infra:keyVault = '': must be a mapping of settings"


def test_an_empty_value_is_an_empty_string_and_null_inside_an_object_stays_null(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text((REPO_ROOT / "Pulumi.yaml").read_text())
    (tmp_path / "Pulumi.x.yaml").write_text(
        replaced("  feathr-infra:keyVault:\n    softDeleteRetentionDays: 7\n", "  feathr-infra:keyVault:\n")
        + "  feathr-infra:purview:\n    managedEventHub:\n"
    )
    values = read_stack("x", tmp_path).values
    assert values["feathr-infra:keyVault"] == "" and values["feathr-infra:purview"] == {"managedEventHub": None}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "- config\n- other\n",
            "Pulumi.bad.yaml line 1: must be a mapping (config:, secretsprovider:, ...), not a list",
        ),
        (
            "config:\n  - feathr-infra:environment: dev\n",
            "Pulumi.bad.yaml line 2: config must be a mapping of '<namespace>:<key>: value', not a list or scalar",
        ),
        (
            "config:\n  feathr-infra:environment: dev\n\tfeathr-infra:location: westeurope\n",
            "Pulumi.bad.yaml line 3: invalid YAML: found character '\\t' that cannot start any token "
            "(while scanning for the next token)",
        ),
        (
            "config:\n  feathr-infra:environment: dev\n  feathr-infra:owner: platform: data\n",
            "Pulumi.bad.yaml line 3: invalid YAML: mapping values are not allowed here",
        ),
        (
            "config:\n  feathr-infra:environment: dev\n  42: forty-two\n",
            "Pulumi.bad.yaml line 3: mapping key '42' is not a string (the Pulumi CLI: expected only string keys)",
        ),
        (
            "config:\n  feathr-infra:names:\n    7: kv\n",
            "Pulumi.bad.yaml line 3: mapping key '7' is not a string (the Pulumi CLI: expected only string keys)",
        ),
        (
            "config:\n  feathr-infra:environment: dev\n---\nconfig:\n  feathr-infra:environment: prod\n",
            "Pulumi.bad.yaml line 3: invalid YAML: a second YAML document ('---'): a stack file holds one "
            "(the Pulumi CLI ignores the rest)",
        ),
        (
            "config:\n  feathr-infra:environment: dev\n  feathr-infra:a:b: c\n",
            "Pulumi.bad.yaml line 3: could not parse 'feathr-infra:a:b' as a configuration key "
            "(keys are '<namespace>:<name>')",
        ),
        (
            "config:\n  feathr-infra:environment: dev\n  environment: dev\n",
            "Pulumi.bad.yaml line 3: configuration key 'feathr-infra:environment' is given twice "
            "(with and without namespace)",
        ),
        (
            "config:\n  feathr-infra:environment: [dev\n",
            "Pulumi.bad.yaml line 3: invalid YAML: expected ',' or ']', but got '<stream end>' "
            "(while parsing a flow sequence)",
        ),
    ],
    ids=[
        "not-a-mapping",
        "config-a-list",
        "tab-indentation",
        "unquoted-colon",
        "number-key",
        "nested-number-key",
        "two-documents",
        "two-colons",
        "namespaced-twice",
        "unclosed-flow",
    ],
)
def test_a_malformed_stack_file_gets_one_message_with_file_and_line(plan_file, text, message):
    code, err = plan_file(text)
    assert code == 1
    assert one_message(err) == f"stack file error: {message}"


def test_a_required_project_key_the_stack_leaves_out_is_refused_as_the_cli_does(plan_file):
    # config.go mergeConfig: a project key without default or value that the stack does not set.
    code, err = plan_file(replaced("  feathr-infra:owner: feature-platform@contoso.com\n", ""))
    assert code == 1
    assert one_message(err) == "stack file error: Pulumi.bad.yaml: stack 'bad' is missing configuration value 'owner'"


def test_keys_without_namespace_and_the_config_module_spelling_get_the_project_namespace(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text((REPO_ROOT / "Pulumi.yaml").read_text())
    text = replaced("  feathr-infra:environment: dev", "  environment: dev")
    (tmp_path / "Pulumi.x.yaml").write_text(replaced("  feathr-infra:owner:", "  feathr-infra:config:owner:", text))
    values = read_stack("x", tmp_path).values
    assert (
        values["feathr-infra:environment"] == "dev" and values["feathr-infra:owner"] == "feature-platform@contoso.com"
    )
    assert "environment" not in values and "feathr-infra:config:owner" not in values


def test_scalars_reach_the_program_as_text_and_project_defaults_fill_what_the_stack_leaves_out(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text((REPO_ROOT / "Pulumi.yaml").read_text())
    (tmp_path / "Pulumi.x.yaml").write_text(replaced("  feathr-infra:productionLike: false\n", ""))
    values = read_stack("x", tmp_path).values
    assert values["feathr-infra:productionLike"] == "false"  # Pulumi.yaml's default, fmt %v
    assert values["feathr-infra:names"] == {} and values["feathr-infra:access"]["admins"][0]["type"] == "User"
    assert values["feathr-infra:keyVault"] == {"softDeleteRetentionDays": 7}
    assert read_stack("dev").values["feathr-infra:productionLike"] == "false"


def test_a_secure_value_reaches_the_program_as_a_marked_placeholder_never_as_its_ciphertext(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text((REPO_ROOT / "Pulumi.yaml").read_text())
    ciphertext = "v1:Q2lwaGVydGV4dE5vdFBsYWlu:AAABBBCCC"
    (tmp_path / "Pulumi.x.yaml").write_text(
        DEV + f"  feathr-infra:databricksToken:\n    secure: {ciphertext}\n"
        f"  feathr-infra:purview:\n    scriptCliVersion:\n      secure: {ciphertext}\n"
    )
    found = read_stack("x", tmp_path)
    assert found.values["feathr-infra:databricksToken"] == OFFLINE_SECRET_PLACEHOLDER
    assert found.values["feathr-infra:purview"] == {"scriptCliVersion": OFFLINE_SECRET_PLACEHOLDER}
    assert found.secret_keys == {"feathr-infra:databricksToken", "feathr-infra:purview"}
    assert ciphertext not in repr(found.values)


def test_the_plan_command_as_make_runs_it_prints_no_traceback(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text((REPO_ROOT / "Pulumi.yaml").read_text())
    (tmp_path / "Pulumi.bad.yaml").write_text("config:\n  feathr-infra:environment: dev\n\tfeathr-infra:x: 1\n")
    done = subprocess.run(
        [sys.executable, "-m", "infra.offline.plan", "bad", "--project-dir", str(tmp_path)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1 and done.stdout == ""
    assert one_message(done.stderr).startswith("stack file error: ") and " line 3: invalid YAML: " in done.stderr


def test_the_plan_document_does_not_depend_on_registration_order():
    # The SDK registers from several threads; the written plan must not reorder between runs.
    from infra.offline.plan import plan_document
    from infra.offline.runner import ProgramRun
    from tests.support import run

    result = run("dev")
    shuffled = ProgramRun(result.project, result.stack, list(reversed(result.resources)), result.outputs)
    assert plan_document(shuffled) == plan_document(result)
