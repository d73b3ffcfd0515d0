"""On the device: the check report (``doctor``), the systemd user service, echo cancellation."""
