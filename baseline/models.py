from django.db import models


class BaselineRow(models.Model):
    """A row for the benchmark baselines: read one by its indexed label, or insert one."""

    label = models.CharField(max_length=64, db_index=True)
    payload = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.label
