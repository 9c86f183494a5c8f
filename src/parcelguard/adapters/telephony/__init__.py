"""Number providers (services.ports.NumberProvider): our own SIP server, or a cloud number-protection API."""
