def project_ids(budget_round) -> dict[str, str]:
    return {p.title: str(p.pk) for p in budget_round.proposals.all()}
