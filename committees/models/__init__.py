from .areas import Committee, CommitteeRole, District
from .pages import HomePage
from .users import User

__all__ = ["Committee", "CommitteeRole", "District", "HomePage", "User"]
