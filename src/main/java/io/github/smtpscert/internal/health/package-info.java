/**
 * Internal, not API: the component's Camel health check repository (id {@code smtps-cert}) with one check per
 * endpoint that reports how close its client certificate is to expiry. Uses only camel-api types, so it loads
 * without camel-health; the registry itself comes from camel-health.
 */
package io.github.smtpscert.internal.health;
