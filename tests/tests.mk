# SPDX-License-Identifier: MIT
# Host tests: placeholder until the unit tests land.
check-host:
