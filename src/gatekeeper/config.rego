# METADATA
# title: Configuration, Gatekeeper edition
# description: |
#   The same settings as policies/lib/dockpolicy/config.rego, read from the Constraint's
#   parameters: Gatekeeper lets templates read only input and data.inventory, so the
#   exporter puts this module in place of the CLI's, which reads the config file from data.
#   Everything else in a template is the CLI's own Rego.
package lib.dockpolicy.config

import data.lib.dockpolicy.image

default allowed_registries := []

allowed_registries := input.parameters.allowedRegistries

default required_labels := [["org.opencontainers.image.authors", "maintainer"]]

required_labels := input.parameters.requiredLabels

default minimal_base_images := []

minimal_base_images := input.parameters.minimalBaseImages

default max_image_size := 1073741824

max_image_size := input.parameters.maxImageSize

# exemptImages applies to the constraint's own rule (one rule per template).
exempt(_, ref) if image.matches_any(ref, input.parameters.exemptImages)
