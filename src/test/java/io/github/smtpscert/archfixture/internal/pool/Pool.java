package io.github.smtpscert.archfixture.internal.pool;

import io.github.smtpscert.archfixture.internal.tls.Key;

/** A pool that knows about key material. */
public class Pool {
    Key key;
}
