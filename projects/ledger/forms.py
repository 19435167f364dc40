"""The upload form of the ledger import."""

from django import forms
from django.utils.translation import gettext_lazy as _

from operators.access import scope_for
from operators.models import Organization
from projects.ledger.spreadsheets import FileRefused, check_size, sniff


def importing_organizations(user):
    """Organisations whose ledger the user may import: where they work a pipeline (all for admins)."""
    scope = scope_for(user)
    if scope.is_admin:
        return Organization.objects.all()
    return Organization.objects.filter(pk__in=scope.pipeline_org_ids)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Ledger file"), help_text=_("Excel workbook (.xlsx) or CSV (UTF-8 or GB18030)."))
    organization = forms.ModelChoiceField(label=_("Organisation"), queryset=Organization.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        queryset = importing_organizations(user)
        self.fields["organization"].queryset = queryset
        organizations = list(queryset[:2])
        # One organisation: nothing to choose.
        self.only = organizations[0] if len(organizations) == 1 else None
        if self.only:
            self.fields["organization"].required = False
            self.fields["organization"].widget = forms.HiddenInput()

    def clean_organization(self):
        return self.cleaned_data.get("organization") or self.only

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_size(upload.size)
            head = upload.read(8192)
            upload.seek(0)
            sniff(head, upload.name)
        except FileRefused as exc:
            raise forms.ValidationError(str(exc)) from None
        return upload
