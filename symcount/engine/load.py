"""Loading a parsed program: its blocks, networks and lets, the values given from outside, which network to count."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from symcount.catalog.core import lookup
from symcount.catalog.wrappers import names_a_layer
from symcount.errors import SymcountError, UndecidableError, did_you_mean
from symcount.language import nodes
from symcount.language.values import Env, Value, evaluate, truth


@dataclass
class Program:
    """The definitions of a parsed file, with the environment each was made in."""

    tree: nodes.Program
    blocks: dict[str, tuple[nodes.Block, Env]]
    networks: dict[str, tuple[nodes.Network, Env]]
    toplevel: list[tuple[nodes.Layer, Env]]
    env: Env


# ---------------------------------------------------------------------------
# whole programs


def load(tree: nodes.Program, values: Mapping[str, Value]) -> Program:
    """Collect definitions in order, evaluating top-level lets as they come."""
    env = Env(values=dict(values), is_layer=names_a_layer)
    blocks: dict[str, tuple[nodes.Block, Env]] = {}
    networks: dict[str, tuple[nodes.Network, Env]] = {}
    toplevel: list[tuple[nodes.Layer, Env]] = []
    for statement in tree.statements:
        if isinstance(statement, nodes.Let):
            value = env.values[statement.name] if statement.name in env.values \
                else evaluate(statement.value, env)
            env.seen.add(statement.name)
            env = env.child({statement.name: value})
        elif isinstance(statement, nodes.Block):
            _check_params(statement.params)
            if statement.name in blocks or statement.name in networks:
                raise SymcountError(f"'{statement.name}' is defined twice", statement.pos)
            if lookup(statement.name) is not None or statement.name in ("input", "moe"):
                raise SymcountError(f"block '{statement.name}' has the name of a catalog layer", statement.pos)
            blocks[statement.name] = (statement, env)
        elif isinstance(statement, nodes.Network):
            _check_params(statement.params)
            if statement.name in networks or statement.name in blocks:
                raise SymcountError(f"'{statement.name}' is defined twice", statement.pos)
            networks[statement.name] = (statement, env)
        elif isinstance(statement, nodes.Require):
            _check_require(statement, env)
        elif isinstance(statement, nodes.Layer):
            toplevel.append((statement, env))
        else:
            raise SymcountError("only layers, let, block and network may stand at the top level",
                                getattr(statement, "pos", nodes.NOWHERE))
    return Program(tree, blocks, networks, toplevel, env)


def _check_require(statement: nodes.Require, env: Env) -> None:
    """A require that is decidable and false is an error; one that depends on free symbols is left open.

    (Exam templates use require to filter their draws; the exam counts only draws that pass.)
    """
    try:
        holds = truth(evaluate(statement.condition, env), statement.condition)
    except UndecidableError:
        return
    if not holds:
        raise SymcountError("require does not hold: the condition is false", statement.condition.pos,
                            hint="require states what the values must satisfy; change the values or the require")


def _check_params(params: tuple[nodes.Param, ...]) -> None:
    """Each parameter once, and those without a default first: a call binds positional arguments in order,
    so ``b(x=1, y)`` could give y by position only by giving x too (Python refuses it the same way)."""
    seen: set[str] = set()
    defaulted: nodes.Param | None = None
    for p in params:
        if p.name in seen:
            raise SymcountError(f"parameter {p.name} listed twice", p.pos)
        seen.add(p.name)
        if p.default is not None:
            defaulted = defaulted or p
        elif defaulted is not None:
            raise SymcountError(f"parameter {p.name} without a default follows {defaulted.name}, which has one",
                                p.pos, hint="put the parameters without defaults first, as Python requires")


def choose_target(program: Program, network: str | None) -> str:
    names = list(program.networks)
    if network is not None:
        if network == "main" and program.toplevel and "main" not in program.networks:
            return "main"
        if network not in program.networks:
            raise SymcountError(
                f"no network named '{network}' (networks: {', '.join(names) or 'none'})",
                hint=did_you_mean(network, names))
        return network
    if len(names) == 1 and not program.toplevel:
        return names[0]
    if not names and program.toplevel:
        return "main"
    if not names and not program.toplevel:
        raise SymcountError("nothing to count: the description has no layers")
    listed = ", ".join(names + (["main (the top-level layers)"] if program.toplevel else []))
    raise SymcountError(f"the description holds several things to count; name one of: {listed}",
                        hint="use --network NAME, network=NAME or SOURCE#NAME")
