"""The receipts' forms: one file per upload, one failing case per proposal."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from cto.core.forms import ServiceForm
from cto.core.uploads import too_large_message


class ReceiptUploadForm(ServiceForm):
    """``dropped``: the upload handler dropped the file for its size as it arrived (the view
    knows, cto.core.uploads.dropped_uploads), so the form can say why it is missing."""

    file = forms.FileField(
        label="Result or trace file",
        allow_empty_file=False,
        error_messages={
            "required": "Choose a file: promptfoo results JSON, an Inspect AI log, JUnit XML "
            "or an OTLP/JSON trace.",
            "empty": "The file is empty.",
        },
    )

    def __init__(self, *args: Any, dropped: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.dropped = dropped
        if dropped:  # the file is missing for its size: say that, not "choose a file"
            self.fields["file"].required = False

    def clean(self) -> dict[str, Any] | None:
        if self.dropped:
            raise forms.ValidationError(too_large_message(settings.RECEIPT_MAX_BYTES))
        return super().clean()

    def arguments(self) -> dict[str, Any]:
        return {"upload": self.cleaned_data["file"]}


class ProposeCaseForm(ServiceForm):
    case_id = forms.CharField(
        max_length=200, error_messages={"required": "Choose the failing case to propose."}
    )
