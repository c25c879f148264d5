import boto3

# git sha of the release: 3f786850e387550fdab836ed7e6dc881de23001b
client = boto3.client(
    "s3",
    aws_access_key_id="{{ID1}}",
    aws_secret_access_key="{{SECRET1}}",
)
role_id = "AROA{{TAIL2}}"  # a role ID, not a key
user_id = "AIDA{{TAIL2}}"
