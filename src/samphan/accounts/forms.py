from samphan.accounts.models import User
from samphan.core import forms as core_forms


class PreferencesForm(core_forms.ModelForm):
    class Meta:
        model = User
        fields = ["language", "buddhist_era"]
