"""Django forms rendered in the design system's markup, with the classes it expects."""

from django.forms.renderers import DjangoTemplates

WIDGET_CLASSES = {
    "select": "form-select",
    "selectmultiple": "form-select",
    "checkbox": "form-checkbox",
    # Named after the widget's template: RadioSelect renders radio.html, CheckboxSelectMultiple
    # checkbox_select.html. Native inputs: "form-input" (appearance: none) made them invisible.
    "radio": "",
    "checkbox_select": "",
    "clearablefile": "form-file-input",
    "file": "form-file-input",
}


class DesignSystemRenderer(DjangoTemplates):
    form_template_name = "frontend/forms/div.html"
    field_template_name = "frontend/forms/field.html"

    def render(self, template_name, context, request=None):
        widget = context.get("widget")
        if widget is not None and isinstance(widget.get("attrs"), dict):
            kind = template_name.rsplit("/", 1)[-1].removesuffix(".html")
            css = WIDGET_CLASSES.get(kind, "form-input")
            if css and "class" not in widget["attrs"]:
                widget["attrs"]["class"] = css
        return super().render(template_name, context, request)
