# METADATA
# title: Configuration, Gatekeeper edition
# description: |
#   The same settings as policies/lib/dockpolicy/config.rego, read from the Constraint's
#   parameters: Gatekeeper lets templates read only input and data.inventory, so the
#   exporter puts this module in place of the CLI's, which reads the config file from data.
#   Everything else in a template is the CLI's own Rego. The settings below this module's
#   `exempt` are written by the exporter from its table of parameters, with the defaults
#   of `.dockpolicy.yaml`.
package lib.dockpolicy.config

import data.lib.dockpolicy.image

# exemptImages applies to the constraint's own rule (one rule per template).
exempt(_, ref) if image.matches_any(ref, input.parameters.exemptImages)
