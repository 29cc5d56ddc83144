"""Demo: the demo resident follows their committee, so `make run`'s scheduler sends them the
"voting opens" notice of the demo vote at once and "voting closes in two days" when due."""

from committees.demo import DEMO_COMMITTEE
from committees.models import Committee, User
from notices import services

DEMO_RESIDENT = "beboer@demo.borgerbudget.dk"


def seed(*, stdout) -> None:
    resident = User.objects.filter(email=DEMO_RESIDENT).first()
    committee = Committee.objects.filter(name=DEMO_COMMITTEE).first()
    if resident is None or committee is None:
        return
    services.committee_follow(user=resident, committee=committee)
    stdout.write(
        f"Notices: {resident.email} follows {committee.name}; the e-mail worker prints its "
        "'voting opens' notice here, and the reminder two days before voting closes. "
        "Choices and one-click unsubscribe: /mine-emails/"
    )
