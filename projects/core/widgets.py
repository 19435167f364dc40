"""Form widgets that render fast: a manager's owner dropdown lists a thousand people, and Django
renders each <option> through its own template (about 1 ms each); the list's filter form has
another twenty inputs, each a template render of its own.

Why Python and not Django's widget templates: the list page's filter form was ~15 ms of its time
(docs/benchmarks.md, issue 9); these widgets give the same HTML in one pass, from the widget's own
get_context, every value through projects.core.html.escape (what the template does to it)."""

from django import forms
from django.forms.utils import flatatt
from django.utils.choices import BaseChoiceIterator
from django.utils.safestring import mark_safe

from projects.core.html import escape, format_html


class RowChoices(BaseChoiceIterator):
    """The options of a model dropdown read as plain rows of the columns their labels need.

    Django's ModelChoiceIterator reads through iterator() (on PostgreSQL a server-side cursor:
    DECLARE, FETCH and CLOSE, three round trips a dropdown) and builds a model instance per
    option; for a manager's thousand owners that was most of the filter form's time. The field
    keeps its queryset, which still validates what is submitted. Lazy like Django's iterator
    (a BaseChoiceIterator is not read when handed to a widget): the query runs when it renders."""

    def __init__(self, queryset, columns: tuple[str, ...], label, empty_label="---------"):
        self.queryset, self.columns, self.label, self.empty_label = queryset, columns, label, empty_label

    def __iter__(self):
        if self.empty_label is not None:
            yield "", self.empty_label
        for pk, *values in self.queryset.values_list("pk", *self.columns):
            yield pk, self.label(*values)

    def options_html(self, selected: set[str]) -> str:
        """The <option>s as FastSelect renders them, without its per-option generic steps: the
        values are primary keys (numbers, nothing to escape)."""
        label, options = self.label, []
        if self.empty_label is not None:
            options.append(
                f'<option value=""{" selected" if "" in selected else ""}>{escape(str(self.empty_label))}</option>'
            )
        for pk, *values in self.queryset.values_list("pk", *self.columns):
            value = str(pk)
            options.append(
                f'<option value="{value}"{" selected" if value in selected else ""}>{escape(label(*values))}</option>'
            )
        return "".join(options)


class FastSelect(forms.Select):
    """A <select> built in one pass; same HTML as forms.Select."""

    def render(self, name, value, attrs=None, renderer=None):
        selected = {str(v) for v in (value if isinstance(value, list | tuple) else [value]) if v is not None}
        final_attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        if isinstance(self.choices, RowChoices):
            options = self.choices.options_html(selected)
        else:
            options = "".join(
                f'<option value="{escape(str(option_value))}"{" selected" if str(option_value) in selected else ""}>'
                f"{escape(str(label))}</option>"
                for option_value, label in self._choice_pairs()
            )
        return format_html("<select{}>{}</select>", flatatt(final_attrs), mark_safe(options))  # noqa: S308 - escaped above

    def _choice_pairs(self):
        for option_value, label in self.choices:
            if isinstance(label, list | tuple):  # an option group: flatten it
                yield from ((v, lbl) for v, lbl in label)
            else:
                yield ("" if option_value is None else getattr(option_value, "value", option_value), label)


class FastMultiSelect(FastSelect):
    """Several values from the query string (?stage=a&stage=b). Shown as a dropdown while at most
    one is chosen (the list's usual filter), as a multiple select when a link chose several; the
    blank "any" option is not a value."""

    allow_multiple_selected = True

    def value_from_datadict(self, data, files, name):
        getter = getattr(data, "getlist", None)
        values = getter(name) if getter else ([data[name]] if data.get(name) else [])
        return [v for v in values if v not in ("", None)]

    def render(self, name, value, attrs=None, renderer=None):
        values = [v for v in (value if isinstance(value, list | tuple) else [value]) if v not in ("", None)]
        if len(values) > 1:
            attrs = {**(attrs or {}), "multiple": True}
        return super().render(name, values, attrs, renderer)


class FastInputMixin:
    """An <input> built in one pass: the HTML of Django's input.html and attrs.html, from the
    same get_context (value formatting, attributes, checked)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        html = [f'<input type="{escape(widget["type"])}" name="{escape(widget["name"])}"']
        if widget["value"] is not None:
            html.append(f' value="{escape(widget["value"])}"')
        for key, val in widget["attrs"].items():
            if val is True:
                html.append(f" {escape(key)}")
            elif val is not False:
                html.append(f' {escape(key)}="{escape(val)}"')
        html.append(">")
        return mark_safe("".join(html))  # noqa: S308 - every value went through escape


class FastTextInput(FastInputMixin, forms.TextInput):
    pass


class FastNumberInput(FastInputMixin, forms.NumberInput):
    pass


class FastDateInput(FastInputMixin, forms.DateInput):
    pass


class FastCheckboxInput(FastInputMixin, forms.CheckboxInput):
    pass


class FastHiddenInput(FastInputMixin, forms.HiddenInput):
    pass
