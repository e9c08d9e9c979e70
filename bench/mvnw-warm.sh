# Sourced by the bench scripts, from the repository root. mvnw_warm runs the Maven wrapper offline once the local
# repository is warm, and online on a fresh machine, whose repository lacks plugins such as maven-dependency-plugin
# until their first use.
mvnw_warm() { ./mvnw -o -q -B "$@" >/dev/null 2>&1 || ./mvnw -q -B "$@"; }
