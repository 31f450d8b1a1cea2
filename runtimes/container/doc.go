// Package container runs the container resources of trustform through the
// docker or podman command-line programs; it never talks to an engine's API
// directly, so remote engines (DOCKER_HOST, podman machine) work as the user
// configured them, and tests can replace the programs with a fake.
//
// Start creates the container, copies the resource's trust material into it
// as a tar stream (`<engine> cp - ID:/`) before it ever runs, overwrites the
// image's own CA bundles when the scope asks for it, and then starts it.
// Nothing is bind-mounted, so this works when the engine runs on another
// machine.
//
// Every container carries the labels trustform.address, trustform.lineage
// and trustform.config-sha256. Stop removes only containers with the
// trustform.address label, and a name conflict with a container trustform did
// not create is reported, never resolved by removing it.
//
// The few ways docker and podman differ (flags, error texts) are kept in one
// table, dialectOf.
package container
