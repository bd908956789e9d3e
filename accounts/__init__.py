"""Users, departments, roles, opening hours, capacity and notifications."""
