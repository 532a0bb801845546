"""Finds every name a template uses that its context does not have, with a suggestion.

Scopes follow Jinja's loops, so `o.malemetod` inside `{% for o in omrade.oppdrag %}` is
checked against an assignment's fields, and the suggestion uses the template's own loop name.

It also refuses, by name, what would let a template reach Python: an attribute that starts
with `_` and Jinja's own globals. The sandbox refuses them too when rendering; the check says
where they are before anything is rendered.
"""

from __future__ import annotations

from dataclasses import dataclass

from jinja2 import nodes

from ...typos import closest
from ..jinja import REFUSED_NAMES, not_allowed
from ..fields import (
    ANY,
    FIELDS,
    KNOWN,
    LEAF,
    LISTS,
    LOOP_PREFIXES,
    field_type,
    record_fields,
    root_names,
)


def _dotted(node) -> str | None:
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        base = _dotted(node.node)
        return f"{base}.{node.attr}" if base else None
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
        base = _dotted(node.node)
        return f"{base}.{node.arg.value}" if base else None
    return None


# What `_member` returns below an attribute it refused, so that one chain gets one message.
REFUSED = "refused"
# Filters that look an attribute up by a name given as text; none of their other text
# arguments (a filter's or a test's name) starts with `_`.
_ATTRIBUTE_FILTERS = {"attr", "map", "selectattr", "rejectattr", "sort", "groupby", "sum", "unique", "min", "max"}


@dataclass
class Unknown:
    dotted: str  # as written in the template, e.g. "leder.fornavn"
    message: str
    lineno: int


class NameChecker:
    """Walks a parsed template and finds every name that is not in the context.

    Scopes follow Jinja's loops, so `o.malemetod` inside `{% for o in omrade.oppdrag %}` is
    checked against an assignment's fields, and the suggestion uses the template's own loop name.
    """

    def __init__(self, goals: bool, where: str, globals_: set[str]):
        """`goals`: the template may use the development goals (a document that is not public);
        `where` names the public text in the message when it tries to."""
        self.goals = goals
        self.where = where
        self.roots = root_names(goals)
        self.globals = globals_
        self.unknown: list[Unknown] = []

    def run(self, tree: nodes.Template) -> list[Unknown]:
        scope: dict[str, str] = {}
        for child in tree.body:
            self.visit(child, scope)
        return self.unknown

    def visit(self, node, scope: dict[str, str]) -> str:
        method = getattr(self, "visit_" + type(node).__name__, None)
        if method:
            return method(node, scope)
        for child in node.iter_child_nodes():
            self.visit(child, scope)
        return ANY

    def visit_For(self, node, scope):
        iter_type = self.visit(node.iter, scope)
        inner = dict(scope, loop=ANY)
        element = "rec:" + iter_type[5:] if iter_type.startswith("list:") else ANY
        for target in _targets(node.target):
            inner[target] = element if isinstance(node.target, nodes.Name) else ANY
        for child in node.body:
            self.visit(child, inner)
        if node.test is not None:
            self.visit(node.test, inner)
        for child in node.else_:
            self.visit(child, scope)
        return ANY

    def visit_Assign(self, node, scope):
        self.visit(node.node, scope)
        for target in _targets(node.target):
            scope[target] = ANY
        return ANY

    def visit_AssignBlock(self, node, scope):
        for child in node.body:
            self.visit(child, scope)
        for target in _targets(node.target):
            scope[target] = ANY
        return ANY

    def visit_With(self, node, scope):
        inner = dict(scope)
        for value in node.values:
            self.visit(value, scope)
        for target in node.targets:
            for name in _targets(target):
                inner[name] = ANY
        for child in node.body:
            self.visit(child, inner)
        return ANY

    def visit_Macro(self, node, scope):
        inner = dict(scope, caller=ANY, varargs=ANY, kwargs=ANY)
        for arg in node.args:
            inner[arg.name] = ANY
        scope[node.name] = ANY
        for child in node.body:
            self.visit(child, inner)
        return ANY

    def visit_CallBlock(self, node, scope):
        self.visit(node.call, scope)
        inner = dict(scope)
        for arg in node.args:
            inner[arg.name] = ANY
        for child in node.body:
            self.visit(child, inner)
        return ANY

    def visit_Name(self, node, scope):
        if node.ctx != "load":
            return ANY
        if node.name in scope:
            return scope[node.name]
        if node.name in self.roots:
            return self.roots[node.name]
        if node.name in REFUSED_NAMES:
            self._refuse(node.name, node.name, node.lineno)
            return ANY
        if node.name in self.globals:
            return ANY
        self._unknown(node.name, node.lineno, scope)
        return ANY

    def visit_Getattr(self, node, scope):
        return self._member(node, node.attr, scope)

    def visit_Getitem(self, node, scope):
        if isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
            return self._member(node, node.arg.value, scope)
        self.visit(node.node, scope)
        self.visit(node.arg, scope)
        return ANY

    def visit_Filter(self, node, scope):
        # `x|attr("__class__")` and `x|map(attribute="__class__")` reach attributes as well.
        if node.name in _ATTRIBUTE_FILTERS:
            for arg in node.args + [kw.value for kw in node.kwargs]:
                if isinstance(arg, nodes.Const) and isinstance(arg.value, str) and _refused_attribute(arg.value):
                    self._refuse(arg.value, arg.value, node.lineno)
        for child in node.iter_child_nodes():
            self.visit(child, scope)
        return ANY

    def _member(self, node, attr: str, scope) -> str:
        dotted = _dotted(node)
        root = dotted.split(".")[0] if dotted else None
        if (root and root not in scope and root not in self.roots and root not in self.globals
                and root not in REFUSED_NAMES):
            # Report `komune.navn` as a whole, so the suggestion can be `kommune.navn`.
            self._unknown(dotted, node.lineno, scope)
            return ANY
        base = self.visit(node.node, scope)
        if base == REFUSED:
            return REFUSED
        if _refused_attribute(attr):
            self._refuse(attr, dotted or attr, node.lineno)
            return REFUSED
        if base.startswith("rec:"):
            kind = field_type(f"{base[4:]}.{attr}")
            if kind is None:
                self._unknown(_dotted(node) or attr, node.lineno, scope, record=base[4:])
                return ANY
            return kind
        if base.startswith("list:"):
            dotted = _dotted(node) or attr
            name = _dotted(node.node) or "listen"
            var = base[5:]
            self.unknown.append(Unknown(dotted, (
                f"«{name}» er en liste, så «{dotted}» finnes ikke; bruk «{var}.{attr}» inne i "
                f"{{%p for {var} in {name} %}} … {{%p endfor %}}"), node.lineno))
            return ANY
        return ANY

    def _refuse(self, name: str, dotted: str, lineno: int) -> None:
        self.unknown.append(Unknown(dotted, not_allowed(name), lineno))

    def _unknown(self, dotted: str, lineno: int, scope: dict[str, str], record: str | None = None) -> None:
        head = dotted.split(".")[0]
        if head == "utviklingsmal" and not self.goals:
            message = (f"«{dotted}» finnes bare i vedleggene (vedlegg.docx og oppfolging_vedlegg.docx): personlige "
                       "utviklingsmål er unntatt "
                       f"offentlighet og kan ikke stå i {self.where}")
        elif record is None and head in LOOP_PREFIXES and dotted in KNOWN | {head}:
            lists = [name for name, prefix in LISTS.items() if prefix == head]
            message = (f"ukjent felt «{dotted}»: «{head}» finnes bare inne i en løkke, "
                       f"f.eks. {{%p for {head} in {lists[0]} %}} … {{%p endfor %}}")
        else:
            message = f"ukjent felt «{dotted}»" if "." in dotted else f"ukjent navn «{dotted}»"
            suggestion = self._suggest(dotted, scope, record)
            if suggestion:
                message += f". Mente du «{suggestion}»?"
        self.unknown.append(Unknown(dotted, message, lineno))

    def _suggest(self, dotted: str, scope: dict[str, str], record: str | None) -> str | None:
        if record is not None:
            base = dotted.rsplit(".", 1)[0]
            siblings = [f"{base}.{a}" for a in record_fields(record)]
            close = closest(dotted, siblings, cutoff=0.5)
            if close:
                return close
        candidates = [f.name for f in FIELDS if f.name.split(".")[0] in self.roots]
        for var, kind in scope.items():
            if kind.startswith("rec:"):
                candidates += [var] + [f"{var}.{a}" for a in record_fields(kind[4:])]
            elif kind == LEAF:
                candidates.append(var)
        return closest(dotted, candidates, cutoff=0.6)


def _refused_attribute(name: str) -> bool:
    # The sandbox's own rule: Python's internals all start with an underscore.
    return name.startswith("_")


def _targets(node) -> list[str]:
    if isinstance(node, nodes.Name):
        return [node.name]
    if isinstance(node, nodes.Tuple):
        return [name for item in node.items for name in _targets(item)]
    return []
