"""Pulumi.yaml and Pulumi.<stack>.yaml read the way the Pulumi CLI reads them.

The offline plan, the tests, the benchmark and the access table all read stack files here, so what
they run is the config `pulumi up` would hand the program. The CLI (pulumi/pulumi,
sdk/go/common/workspace/loaders.go and pkg/workspace/config.go) parses with gopkg.in/yaml.v3:

- Plain scalars resolve by yaml.v3's resolve.go: only true/false (any case form it lists) are
  booleans and `on`, `yes`, `off`, `no` are strings (YAML 1.2 core schema); `~`, `null` and an empty
  value are null; ints may be 0x/0o/0b/legacy-octal and carry `_`; unquoted dates are timestamps.
- yaml.v3 refuses a mapping key written twice (`mapping key "x" already defined at line N`); keys
  must be strings (SimplifyMarshalledValue: `expected only string keys`).
- Config keys without a namespace get the project's (stackConfigNamespacedWithProject); a key must be
  `<namespace>:<name>` (config.ParseKey).
- A top-level key with no value reaches the program as an empty string (checkForEmptyConfig); null
  inside an object stays null. Scalars reach it as text (bools `true`/`false`, numbers as JSON writes
  them), objects and lists as JSON.
- `{secure: <ciphertext>}` (what `pulumi config set --secret` writes) is a secret: the program gets
  the plaintext and the key is listed as secret. Offline nothing can be decrypted: the program gets
  `OFFLINE_SECRET_PLACEHOLDER`, still marked secret, never the ciphertext as if it were plain.
- Pulumi.yaml `config:` declarations: values of keys the stack does not set come from `default`
  (or `value`); a project key with neither is required; a declared `type` is checked against the
  stack's value and `secret: true` requires a secure value (mergeConfig / validateStackConfigValue).

One deliberate difference: yaml.v3's Unmarshal decodes the first YAML document and ignores the rest;
here a second document is an error, since half a stack file silently ignored is never intended.
Every problem is one `StackFileError` naming the file and, where there is one, the line.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from infra.settings.reader import OFFLINE_SECRET_PLACEHOLDER

_TAG = "tag:yaml.org,2002:"
_TYPES = ("string", "integer", "boolean", "array", "object")


class StackFileError(ValueError):
    """A stack or project file the Pulumi CLI would refuse (or read differently than it looks)."""

    def __init__(self, path: Path, line: int | None, message: str):
        self.path, self.line = path, line
        where = _shown(path) + (f" line {line}" if line else "")
        super().__init__(f"{where}: {message}")


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


# --- YAML with yaml.v3's semantics -------------------------------------------------------------------


_YAML_STYLE_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_TIMESTAMP = re.compile(
    r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:[Tt ](?P<H>\d{1,2}):(?P<M>\d{1,2}):(?P<S>\d{1,2})(?P<f>\.\d{1,9})?(?P<z>Z|[-+]\d{2}:\d{2})?)?"
)
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUES, _FALSES = frozenset({"true", "True", "TRUE"}), frozenset({"false", "False", "FALSE"})
_SPECIAL_FLOATS = {
    **dict.fromkeys((".nan", ".NaN", ".NAN"), math.nan),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), math.inf),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), -math.inf),
}


def _go_parse_int(text: str) -> int | None:
    """strconv.ParseInt(text, 0, 64) / ParseUint: sign, then 0x / 0o / 0b / legacy 0 octal / decimal."""
    sign, digits = (-1, text[1:]) if text[:1] == "-" else (1, text[1:] if text[:1] == "+" else text)
    base = 10
    if digits[:2] in ("0x", "0X"):
        base, digits = 16, digits[2:]
    elif digits[:2] in ("0o", "0O"):
        base, digits = 8, digits[2:]
    elif digits[:2] in ("0b", "0B"):
        base, digits = 2, digits[2:]
    elif len(digits) > 1 and digits[0] == "0":
        base, digits = 8, digits[1:]
    if not digits or not re.fullmatch("[0-9a-fA-F]+", digits):
        return None
    try:
        value = sign * int(digits, base)
    except ValueError:
        return None
    return value if -(2**63) <= value < 2**64 else None


class _Timestamp(str):
    """An unquoted YAML timestamp, spelled as Go's time.Time.String() spells it (what Pulumi passes on)."""


def _go_time(match: re.Match[str]) -> _Timestamp | None:
    g = match.groupdict()
    try:
        stamp = dt.datetime(int(g["y"]), int(g["m"]), int(g["d"]), int(g["H"] or 0), int(g["M"] or 0), int(g["S"] or 0))
    except ValueError:
        return None
    fraction = (g["f"] or "").rstrip("0").rstrip(".")
    zone = g["z"]
    offset = "+0000" if zone in (None, "Z") else zone.replace(":", "")
    suffix = offset + (" UTC" if zone in (None, "Z") else " " + offset)  # Go names an unnamed zone by its offset
    return _Timestamp(stamp.strftime("%Y-%m-%d %H:%M:%S") + fraction + " " + suffix)


def resolve_plain(text: str) -> Any:
    """A plain (unquoted, untagged) scalar as yaml.v3's resolve("", text) decodes it into interface{}."""
    if text in _NULLS:
        return None
    if text in _TRUES:
        return True
    if text in _FALSES:
        return False
    if text in _SPECIAL_FLOATS:
        return _SPECIAL_FLOATS[text]
    if text[0] == ".":
        try:
            return float(text)
        except ValueError:
            return text
    if text[0] not in "+-0123456789":
        return text
    stamp = _TIMESTAMP.fullmatch(text)
    if stamp:
        resolved = _go_time(stamp)
        if resolved is not None:
            return resolved
    plain = text.replace("_", "")
    integer = _go_parse_int(plain)
    if integer is not None:
        return integer
    if _YAML_STYLE_FLOAT.fullmatch(plain):
        return float(plain)
    return text


class _Reader:
    """Builds Python values from ruamel's node graph with yaml.v3's rules, remembering line numbers."""

    def __init__(self, path: Path):
        self.path = path
        self._implicit = YAML(typ="safe", pure=True).resolver

    def fail(self, node: Node | None, message: str) -> StackFileError:
        return StackFileError(self.path, node.start_mark.line + 1 if node is not None else None, message)

    def scalar(self, node: ScalarNode) -> Any:
        if node.style is not None:  # quoted or block: always a string
            return node.value
        implicit = self._implicit.resolve(ScalarNode, node.value, (True, False))
        tag = node.tag if isinstance(node.tag, str) else str(node.tag)
        if tag == implicit or tag == "?":
            return resolve_plain(node.value)
        if tag == _TAG + "str":
            return node.value
        resolved = resolve_plain(node.value)  # an explicit tag: the value must already be of that kind
        number = isinstance(resolved, (int, float)) and not isinstance(resolved, bool)
        if tag == _TAG + "int" and number and isinstance(resolved, int):
            return resolved
        if tag == _TAG + "float" and number:
            return float(resolved)
        if (tag == _TAG + "bool" and isinstance(resolved, bool)) or (tag == _TAG + "null" and resolved is None):
            return resolved
        raise self.fail(node, f"cannot decode {node.value!r} as {tag.replace(_TAG, '!!')}")

    def value(self, node: Node) -> Any:
        if isinstance(node, ScalarNode):
            return self.scalar(node)
        if isinstance(node, SequenceNode):
            return [self.value(item) for item in node.value]
        if isinstance(node, MappingNode):
            return self.mapping(node)
        raise self.fail(node, f"unsupported YAML node {type(node).__name__}")

    def key_text(self, key: Node) -> str:
        resolved = self.scalar(key) if isinstance(key, ScalarNode) else None
        if not isinstance(resolved, str) or isinstance(resolved, _Timestamp):
            shown = key.value if isinstance(key, ScalarNode) else type(key).__name__
            raise self.fail(key, f"mapping key {shown!r} is not a string (the Pulumi CLI: expected only string keys)")
        return resolved

    def mapping(self, node: MappingNode, lines: dict[str, int] | None = None) -> dict[str, Any]:
        seen: dict[tuple[str, str], int] = {}
        result: dict[str, Any] = {}
        merged: dict[str, Any] = {}
        for key, value in node.value:
            identity = (type(key).__name__, key.value if isinstance(key, ScalarNode) else repr(key))
            line = key.start_mark.line + 1
            if identity in seen:
                raise self.fail(key, f"mapping key {key.value!r} already defined at line {seen[identity]}")
            seen[identity] = line
            if isinstance(key, ScalarNode) and key.style is None and key.value == "<<":
                for source in value.value if isinstance(value, SequenceNode) else [value]:
                    if not isinstance(source, MappingNode):
                        raise self.fail(source, "a merge key (<<) takes a mapping or a list of mappings")
                    merged = {**self.mapping(source), **merged}
                continue
            text = self.key_text(key)
            result[text] = self.value(value)
            if lines is not None:
                lines[text] = line
        return {**merged, **result}

    def document(self, text: str) -> Node | None:
        try:
            return YAML(typ="safe", pure=True).compose(text)
        except MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            problem = error.problem or str(error)
            if "another document" in problem:
                problem = "a second YAML document ('---'): a stack file holds one (the Pulumi CLI ignores the rest)"
            elif error.context:
                problem = f"{problem} ({error.context})"
            raise StackFileError(self.path, mark.line + 1 if mark else None, f"invalid YAML: {problem}") from None
        except YAMLError as error:
            raise StackFileError(self.path, None, f"invalid YAML: {error}") from None


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise StackFileError(path, None, f"cannot read: {error.strerror}") from None
    try:
        return data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")  # the CLI strips a UTF-8 BOM
    except UnicodeDecodeError as error:
        raise StackFileError(path, None, f"not UTF-8 text: {error.reason}") from None


def _top_mapping(reader: _Reader, node: Node | None, what: str) -> MappingNode | None:
    if node is not None and not isinstance(node, MappingNode):
        raise reader.fail(
            node, f"must be a mapping ({what}), not a {'list' if isinstance(node, SequenceNode) else 'scalar'}"
        )
    return node


def _entry(mapping: MappingNode, reader: _Reader, name: str) -> tuple[Node, Node] | None:
    for key, value in mapping.value:
        if isinstance(key, ScalarNode) and key.value == name:
            return key, value
    return None


# --- Pulumi.yaml -------------------------------------------------------------------------------------


_MISSING: Any = object()


@dataclass(frozen=True)
class ConfigDeclaration:
    key: str  # full key, <namespace>:<name>
    type: str | None
    items: dict[str, Any] | None
    default: Any  # _MISSING when not given
    value: Any  # _MISSING when not given
    secret: bool


@dataclass(frozen=True)
class Project:
    name: str
    path: Path
    config: tuple[ConfigDeclaration, ...]


def _namespaced(project: str, key: str) -> str:
    return key if ":" in key else f"{project}:{key}"


def read_project(path: Path) -> Project:
    reader = _Reader(path)
    node = _top_mapping(reader, reader.document(_read_text(path)), "name, runtime, config, ...")
    if node is None:
        raise StackFileError(path, None, "project is missing a 'name' attribute")
    raw = reader.mapping(node)
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        raise StackFileError(path, None, "project is missing a non-empty string 'name' attribute")
    config = raw.get("config") or {}
    if not isinstance(config, dict):
        entry = _entry(node, reader, "config")
        raise reader.fail(entry[1] if entry else None, "config must be a mapping of config declarations")
    declarations = []
    for key, declaration in config.items():
        own = ":" not in key or key.startswith(f"{name}:")
        if not isinstance(declaration, dict):  # shorthand: a default (own key) or a value (another namespace)
            declaration = {"default" if own else "value": declaration}
        unknown = set(declaration) - {"type", "description", "default", "value", "secret", "items"}
        if unknown:
            raise StackFileError(path, None, f"config {key}: unknown attribute {sorted(unknown)[0]!r}")
        kind = declaration.get("type")
        if kind is not None and kind not in _TYPES:
            raise StackFileError(path, None, f"config {key}: type must be one of {', '.join(_TYPES)}")
        default = declaration.get("default", _MISSING)
        if kind is not None and default is not _MISSING and not _matches(kind, declaration.get("items"), default):
            raise StackFileError(path, None, f"the default of config {key} is not of the declared type {kind!r}")
        declarations.append(
            ConfigDeclaration(
                key=_namespaced(name, key),
                type=kind,
                items=declaration.get("items"),
                default=default,
                value=declaration.get("value", _MISSING),
                secret=declaration.get("secret") is True,
            )
        )
    return Project(name, path, tuple(declarations))


def _matches(kind: str, items: dict[str, Any] | None, value: Any) -> bool:
    """workspace.ValidateConfigValue: the CLI's type check of a config value."""
    if kind == "string":
        return isinstance(value, str)
    if kind == "integer":
        if isinstance(value, bool):
            return False
        if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
            return True
        return isinstance(value, str) and re.fullmatch(r"[-+]?\d+", value) is not None
    if kind == "boolean":
        return value in ("true", "false") or isinstance(value, bool)
    if kind == "object":
        return isinstance(value, dict)
    if not isinstance(value, list) or items is None:
        return False
    return all(_matches(items.get("type", ""), items.get("items"), item) for item in value)


# --- Pulumi.<stack>.yaml -----------------------------------------------------------------------------


@dataclass(frozen=True)
class StackConfig:
    """What the CLI hands the program: `<namespace>:<name>` -> text (scalars) or decoded JSON (objects)."""

    values: dict[str, Any]
    secret_keys: frozenset[str]


def _go_json(value: Any, path: Path, line: int, key: str) -> Any:
    """A nested value as Go's encoding/json writes it and Python's json reads it back."""
    if isinstance(value, dict):
        return {k: _go_json(v, path, line, key) for k, v in value.items()}
    if isinstance(value, list):
        return [_go_json(v, path, line, key) for v in value]
    if isinstance(value, float):
        if not math.isfinite(value):
            raise StackFileError(path, line, f"{key}: {value} cannot be passed to the program (JSON has no NaN/Inf)")
        return int(value) if value.is_integer() and abs(value) < 1e21 else value
    return value


def _secret(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and isinstance(value.get("secure"), str)


def _unwrap_secrets(value: Any) -> tuple[Any, bool]:
    """Replace every `{secure: ...}` with the offline placeholder; report whether there was one."""
    if _secret(value):
        return OFFLINE_SECRET_PLACEHOLDER, True
    if isinstance(value, dict):
        pairs = {k: _unwrap_secrets(v) for k, v in value.items()}
        return {k: v for k, (v, _) in pairs.items()}, any(s for _, s in pairs.values())
    if isinstance(value, list):
        items = [_unwrap_secrets(v) for v in value]
        return [v for v, _ in items], any(s for _, s in items)
    return value, False


def _as_text(value: Any, path: Path, line: int, key: str) -> Any:
    """config.Value: a top-level scalar as the text the program receives; objects stay structured."""
    if value is None:
        return ""  # checkForEmptyConfig: "currently treated as an empty string"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return json.dumps(_go_json(value, path, line, key))
    if isinstance(value, str):
        return str(value)
    return _go_json(value, path, line, key)


def read_stack_file(path: Path, project: Project) -> tuple[dict[str, Any], frozenset[str], dict[str, int]]:
    """The stack file's own config (no project defaults): values, secret keys and each key's line."""
    reader = _Reader(path)
    node = _top_mapping(reader, reader.document(_read_text(path)), "config:, secretsprovider:, ...")
    if node is None:  # an empty stack file is a stack without config
        return {}, frozenset(), {}
    reader.mapping(node)  # duplicate and non-string keys anywhere in the file
    entry = _entry(node, reader, "config")
    if entry is None or (isinstance(entry[1], ScalarNode) and resolve_plain(entry[1].value) is None):
        return {}, frozenset(), {}
    config_node = entry[1]
    if not isinstance(config_node, MappingNode):
        raise reader.fail(config_node, "config must be a mapping of '<namespace>:<key>: value', not a list or scalar")
    lines: dict[str, int] = {}
    raw = reader.mapping(config_node, lines)
    values: dict[str, Any] = {}
    secret_keys = set()
    for key, value in raw.items():
        full = _namespaced(project.name, key)
        line = lines[key]
        parts = full.split(":")
        if len(parts) == 3 and parts[1] == "config":  # the old <namespace>:config:<name> spelling
            full = f"{parts[0]}:{parts[2]}"
        if full.count(":") != 1 or not full.split(":")[0] or not full.split(":")[1]:
            raise StackFileError(
                path, line, f"could not parse {key!r} as a configuration key (keys are '<namespace>:<name>')"
            )
        if full in values:
            raise StackFileError(path, line, f"configuration key {full!r} is given twice (with and without namespace)")
        plain, secret = _unwrap_secrets(value)
        if secret:
            secret_keys.add(full)
        values[full] = _as_text(plain, path, line, full)
        lines[full] = line
    return values, frozenset(secret_keys), lines


def _default_text(value: Any) -> Any:
    """createConfigValue: string/int/bool defaults as text (fmt %v), anything else as JSON."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int)):
        return str(value)
    return json.loads(json.dumps(value))


def stack_config(project_file: Path, stack: str, stack_file: Path | None = None) -> StackConfig:
    """Project defaults merged under the stack file's config, checked as `pulumi up` checks them."""
    project = read_project(project_file)
    stack_file = stack_file or project_file.with_name(f"Pulumi.{stack}.yaml")
    values, secret_keys, lines = read_stack_file(stack_file, project) if stack_file.exists() else ({}, frozenset(), {})
    missing = []
    for declaration in sorted(project.config, key=lambda d: d.key):
        if declaration.key in values:
            continue
        given = declaration.default if declaration.default is not _MISSING else declaration.value
        if given is not _MISSING:
            values[declaration.key] = _default_text(given)
        elif declaration.key.startswith(f"{project.name}:"):
            missing.append(declaration.key.split(":", 1)[1])
    if missing:
        names = ", ".join(f"'{m}'" for m in missing)
        raise StackFileError(
            stack_file, None, f"stack '{stack}' is missing configuration value{'s' if len(missing) > 1 else ''} {names}"
        )
    for declaration in sorted(project.config, key=lambda d: d.key):
        key, line = declaration.key, lines.get(declaration.key)
        if key not in lines:
            continue  # a project default, checked with Pulumi.yaml
        short = key.split(":", 1)[1] if key.startswith(f"{project.name}:") else key
        if declaration.secret and key not in secret_keys:
            raise StackFileError(
                stack_file,
                line,
                f"configuration key '{short}' must be encrypted as it's secret (`pulumi config set --secret {short}`)",
            )
        if declaration.type is None or key in secret_keys:
            continue
        value = values[key]
        if not _matches(declaration.type, declaration.items, value):
            shown = json.dumps(value) if not isinstance(value, str) else repr(value)
            hint = " (YAML 1.2: only true and false are booleans)" if declaration.type == "boolean" else ""
            raise StackFileError(
                stack_file, line, f"configuration key '{short}' = {shown} must be of type '{declaration.type}'{hint}"
            )
    return StackConfig(values, frozenset(secret_keys))
