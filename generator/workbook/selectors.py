"""The `Gjelder` selectors: which leaders with an agreement an assignment applies to."""

from __future__ import annotations

from ..model import Leder
from ..typos import closest
from .values import norm, quoted

LEVEL_KINDS = ("nivå", "niva", "nivaa")
SELF_AND_BELOW_KINDS = ("selv-og-under", "selv og under", "sjølv-og-under", "sjølv og under")
UNKNOWN = "bruk alle, nivå:…, enhet:…, under:<Ansattnr>, selv-og-under:<Ansattnr> eller et Ansattnr"


class SelectorError(Exception):
    pass


class Selector:
    """Resolves one selector of a Gjelder cell to the Avtale=ja leaders it means."""

    def __init__(self, ledere: list[Leder]):
        self.ledere = ledere
        self.by_nr = {leder.ansattnr: leder for leder in ledere}
        self.by_folded = {leder.ansattnr.casefold(): leder for leder in ledere}
        self.children: dict[str, list[Leder]] = {}
        for leder in ledere:
            if leder.overordnet and leder.overordnet != leder.ansattnr:
                self.children.setdefault(leder.overordnet, []).append(leder)

    def select(self, token: str) -> set[str]:
        if ":" not in token:
            if norm(token) == "alle":
                return self.with_agreement([x for x in self.ledere if not self.writes_styringsbrev(x)])
            return self.with_agreement([self.person(token, token)])
        kind, _, argument = token.partition(":")
        kind, argument = norm(kind), argument.strip()
        if kind not in (*LEVEL_KINDS, "enhet", "under", *SELF_AND_BELOW_KINDS):
            raise SelectorError(f"ukjent utvalg {quoted(token)}; {UNKNOWN}")
        if not argument:
            raise SelectorError(f"utvalget {quoted(token)} mangler en verdi etter kolon")
        if kind == "enhet":
            return self.with_agreement([x for x in self.ledere if norm(x.enhet) == norm(argument)])
        if kind == "under":
            return self.with_agreement(self.below(self.person(argument, token)))
        if kind in SELF_AND_BELOW_KINDS:
            # The kommunalsjef and the sector: under: leaves the person out, which is right for an
            # assignment the kommunalsjef gives, and wrong for one the sector carries together.
            top = self.person(argument, token)
            return self.with_agreement([top, *self.below(top)])
        return self.with_agreement([x for x in self.ledere if norm(x.niva) == norm(argument)])

    def nobody(self, token: str) -> str:
        """The warning for a selector that reaches no leader with an agreement. A level nobody in sheet
        Ledere has is most likely misspelt, or a level of the other målform (verksemdsleiar for
        virksomhetsleder): the warning names the levels there are."""
        kind, _, argument = token.partition(":")
        if ":" in token and norm(kind) in LEVEL_KINDS:
            levels = {norm(x.niva): x.niva for x in self.ledere if x.niva}
            if norm(argument) not in levels:
                named = ", ".join(quoted(levels[k]) for k in sorted(levels))
                message = (f"utvalget {quoted(token)} treffer ingen: ingen i arket Ledere har nivået "
                           f"{quoted(argument.strip())}")
                if not levels:
                    return message + " (kolonnen Nivå er tom)"
                close = closest(norm(argument), levels, cutoff=0.7)
                return message + (f"; mente du {quoted(levels[close])}?" if close else ".") + f" Nivåene er {named}."
        return f"utvalget {quoted(token)} treffer ingen ledere med avtale"

    def writes_styringsbrev(self, leder: Leder) -> bool:
        """The kommunedirektør: the leader right under the top of the hierarchy when the top is a
        party only (the ordfører, Avtale=nei). He or she issues the styringsbrev, so `alle` does not
        give him or her its assignments; naming him or her (Ansattnr, nivå:, enhet:) still does.
        """
        superior = self.by_nr.get(leder.overordnet)
        return superior is not None and not superior.avtale and not superior.overordnet

    def person(self, ansattnr: str, token: str) -> Leder:
        leder = self.by_nr.get(ansattnr) or self.by_folded.get(ansattnr.casefold())
        if leder is not None:
            return leder
        if ansattnr.isdigit():
            if ansattnr == token:
                raise SelectorError(f"Ansattnr {quoted(ansattnr)} finnes ikke i arket Ledere")
            raise SelectorError(f"Ansattnr {quoted(ansattnr)} i {quoted(token)} finnes ikke i arket Ledere")
        raise SelectorError(f"ukjent utvalg {quoted(token)}; {UNKNOWN}")

    def below(self, top: Leder) -> list[Leder]:
        found: list[Leder] = []
        seen = {top.ansattnr}
        stack = list(self.children.get(top.ansattnr, []))
        while stack:
            leder = stack.pop()
            if leder.ansattnr in seen:
                continue
            seen.add(leder.ansattnr)
            found.append(leder)
            stack.extend(self.children.get(leder.ansattnr, []))
        return found

    @staticmethod
    def with_agreement(ledere: list[Leder]) -> set[str]:
        return {leder.ansattnr for leder in ledere if leder.avtale}
