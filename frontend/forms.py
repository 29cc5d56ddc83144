"""Django forms rendered in the design system's markup, with the classes it expects."""

from django.core.exceptions import ValidationError
from django.forms.renderers import DjangoTemplates

WIDGET_CLASSES = {
    "select": "form-select",
    "selectmultiple": "form-select",
    "checkbox": "form-checkbox",
    # Named after the widget's template: RadioSelect renders radio.html, CheckboxSelectMultiple
    # checkbox_select.html. Their options get the design system's markup, see OPTION_MARKUP.
    "radio": "",
    "checkbox_select": "",
    "clearablefile": "form-file-input",
    "file": "form-file-input",
}

# The design system hides every native input (appearance: none) and draws radios and checkboxes
# from `<input class="form-radio"><label for>`; Django's `<label><input> text</label>` would leave
# them invisible.
OPTION_MARKUP = {
    "radio": ("frontend/forms/choice_option.html", "form-radio", "form-group-radio"),
    "checkbox_select": (
        "frontend/forms/choice_option.html",
        "form-checkbox",
        "form-group-checkbox",
    ),
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
            if kind in OPTION_MARKUP:
                option_template, input_class, group_class = OPTION_MARKUP[kind]
                for _group, options, _index in widget.get("optgroups", []):
                    for option in options:
                        option["template_name"] = option_template
                        option["attrs"]["class"] = input_class
                        option["group_class"] = group_class
        return super().render(template_name, context, request)


def add_service_errors(form, exc: ValidationError) -> dict[str, list[str]]:
    """Put a service's ValidationError on a form: each message on its field, the rest on top.

    Services validate what they are given and name the field they object to; a field the form
    does not show (or no field at all) becomes a non-field error, so no message is ever lost.
    Returns the problems by field name ("__all__" for the rest).
    """
    problems = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    for field, errors in problems.items():
        target = field if field in form.fields else None
        for error in errors:
            form.add_error(target, error)
    return problems
