// Copied into src/main/java by .ci/consumer-check for its module-path build.
module com.example.echo {
    requires io.gnetj.core;
}
