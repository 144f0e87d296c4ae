# METADATA
# title: Image references across input kinds
# description: |
#   Every image reference an input pulls, as {"image", "line", "where"}, whatever the input
#   kind. The image rules (DP001-DP004) read only this set, so one rule fires on every kind
#   of input that names images.
package lib.dockpolicy.images

import data.lib.dockpolicy.dockerfile

references contains {"image": f.Image, "line": f.StartLine, "where": "FROM"} if {
	some f in dockerfile.external_bases
}
