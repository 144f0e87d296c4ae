# METADATA
# title: Configuration
# description: |
#   The settings of `.dockpolicy.yaml` as the rules read them, with their defaults.
#   dockpolicy puts the config file at `data.dockpolicy_config`; user policies can read
#   the same document.
package lib.dockpolicy.config

import data.lib.dockpolicy.image

# exempt(id, image) holds when the config exempts image from rule id
# (`exempt_images: {DP002: ["registry.example.com/legacy/**"]}`).
exempt(id, ref) if image.matches_any(ref, data.dockpolicy_config.exempt_images[id])

# The settings below and their defaults are written by `cargo xtask generate` from
# RULE_SETTINGS in src/config.rs, the one place that states them.
# generated:settings:start
# allowed_registries: Registries (host or host/path prefix) images may come from (DP003; empty: any).
default allowed_registries := []

allowed_registries := data.dockpolicy_config.allowed_registries

# required_labels: Labels an image must carry (DP009): each entry lists alternatives, one of which must be set.
default required_labels := [["org.opencontainers.image.authors", "maintainer"]]

required_labels := data.dockpolicy_config.required_labels

# minimal_base_images: Glob patterns of base images that count as minimal (DP007).
default minimal_base_images := []

minimal_base_images := data.dockpolicy_config.minimal_base_images

# max_image_size: The largest uncompressed image size allowed, in bytes (DP012).
default max_image_size := 1073741824

max_image_size := data.dockpolicy_config.max_image_size
# generated:settings:end
