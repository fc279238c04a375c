package io.github.smtpscert.springboot;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;

/** The application the @SpringBootTests start: auto-configuration only, as a user's application would get it. */
@SpringBootConfiguration
@EnableAutoConfiguration
public class TestApplication {
}
