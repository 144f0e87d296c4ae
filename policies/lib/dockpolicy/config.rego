# METADATA
# title: Configuration
# description: |
#   The settings of `.dockpolicy.yaml` as the rules read them, with their defaults.
#   dockpolicy puts the config file at `data.dockpolicy_config`; user policies can read
#   the same document.
package lib.dockpolicy.config

import data.lib.dockpolicy.image

default allowed_registries := []

allowed_registries := data.dockpolicy_config.allowed_registries

# Each entry is a list of alternatives; one of them must be present.
default required_labels := [["org.opencontainers.image.authors", "maintainer"]]

required_labels := data.dockpolicy_config.required_labels

default minimal_base_images := []

minimal_base_images := data.dockpolicy_config.minimal_base_images

# exempt(id, image) holds when the config exempts image from rule id
# (`exempt_images: {DP002: ["registry.example.com/legacy/**"]}`).
exempt(id, ref) if image.matches_any(ref, data.dockpolicy_config.exempt_images[id])

# DP012: the largest uncompressed image size, in bytes.
default max_image_size := 1073741824

max_image_size := data.dockpolicy_config.max_image_size
