"""Script scaffolding TF1 programs lean on: `tf.logging`, `tf.flags`, `tf.app` and the
TF1/TF2 behaviour toggles (`tf.disable_v2_behavior`, ...). Public names are re-exported
by the namespaces (`tfgraph.logging`, `tfgraph.flags`, `tfgraph.app`, `tfgraph`)."""
