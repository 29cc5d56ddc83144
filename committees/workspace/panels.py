"""The dashboard panel: per committee, what waits and the link to the queue that handles it."""

from wagtail.admin.ui.components import Component

from committees.workspace.selectors import workspace_for


class WorkspacePanel(Component):
    name = "workspace"
    template_name = "committees/workspace/panel.html"
    order = 50  # above Wagtail's own panels (site summary 100, pages in moderation 200)

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context["blocks"] = workspace_for(user=parent_context["request"].user)
        return context
