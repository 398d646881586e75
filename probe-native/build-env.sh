# sourced by run: the builder's module path from the Maven jars
export JAVA_HOME=$PWD/out/jdk   # a copy of Temurin 25 that gets lib/svm and lib/static added
M=$HOME/.m2/repository/org/graalvm
V=25.0.4
COMPILER=$M/compiler/compiler/$V/compiler-$V.jar
MP=$(find $M -name "*-$V.jar" ! -name "compiler-$V.jar" | sort | tr '\n' ':')
