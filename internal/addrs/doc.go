// Package addrs names resource and collection instances: TYPE.NAME for a
// block without count or for_each, TYPE.NAME[0] for one counted instance
// and TYPE.NAME["eu"] for one for_each instance, as Terraform writes them.
//
// lang formats addresses with it, plan matches -target with it, and layout
// derives file names from it, so the three agree on one spelling. Addresses
// are strings everywhere else (state, plans, JSON); this package is the only
// place that knows their grammar.
package addrs
