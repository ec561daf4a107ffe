"""Changing an experiment's settings from the command line: `--set field=value`, parsed by the field's type.

    int      --set epochs=3                   float    --set learning_rate=0.01
    str      --set hidden_activation=tanh     bool     --set shuffle=false (true/false, 1/0, yes/no)
    tuple    --set seeds=0,1,2                (comma-separated, each item parsed by the tuple's item type)

`apply` returns a new config with the values replaced and checked by the config's own
`__post_init__`; an unknown field or a value of the wrong kind is a ValueError that says what was
received and lists the valid fields.
"""

import dataclasses
import typing

from tfsheet.choices import LARGEST_INT


def parse_assignments(texts):
    """["epochs=3", "P2.seeds=0,1"] -> {"epochs": "3", "P2.seeds": "0,1"}; ValueError on a malformed one."""
    assignments = {}
    for text in texts or ():
        name, separator, value = text.partition("=")
        if not separator or not name.strip():
            raise ValueError(f"a setting must be written field=value. Received: {text!r}")
        name, value = name.strip(), value.strip()
        if assignments.get(name, value) != value:
            raise ValueError(f"{name} is set twice ({assignments[name]} and {value}); give each setting once")
        assignments[name] = value
    return assignments


def field_types(config_class):
    """{field name: its type} of a config dataclass."""
    hints = typing.get_type_hints(config_class)
    return {field.name: hints[field.name] for field in dataclasses.fields(config_class)}


def parse_value(text, kind, name="value"):
    """`text` as a value of type `kind` (int, float, str, bool or tuple[X, ...])."""
    if typing.get_origin(kind) is tuple:
        item = typing.get_args(kind)[0]
        items = [piece.strip() for piece in text.split(",")]
        if text.strip() and not all(items):
            raise ValueError(f"{name} has an empty item; write the values comma-separated with none left out. "
                             f"Received: {name}={text!r}")
        values = tuple(parse_value(piece, item, name) for piece in items if piece)
        repeated = sorted({str(value) for value in values if values.count(value) > 1})
        if repeated:
            raise ValueError(f"{name} holds {', '.join(repeated)} more than once; give each value once (a repeated "
                             f"seed would count one run twice). Received: {name}={text!r}")
        return values
    try:
        if kind is bool:
            lowered = text.lower()
            if lowered not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError
            return lowered in ("true", "1", "yes")
        value = int(text) if kind is int else float(text) if kind is float else kind(text)
    except ValueError:
        raise ValueError(f"{name} must be {_describe(kind)}. Received: {name}={text!r}") from None
    if kind is int and abs(value) > LARGEST_INT:
        raise ValueError(f"{name} must be at most {LARGEST_INT} (2**31 - 1) in size. Received: {name}={text!r}")
    return value


def apply(config, assignments):
    """`config` with the fields in `assignments` ({name: text}) replaced; ValueError lists the valid fields."""
    if not assignments:
        return config
    kinds = field_types(type(config))
    unknown = sorted(set(assignments) - set(kinds))
    if unknown:
        raise ValueError(f"unknown setting {', '.join(unknown)} for {type(config).__name__}; valid settings: "
                         f"{', '.join(kinds)}")
    values = {name: parse_value(text, kinds[name], name) for name, text in assignments.items()}
    return dataclasses.replace(config, **values)


def _describe(kind):
    return {int: "an integer", float: "a number", bool: "true or false", str: "a string"}.get(kind, str(kind))
